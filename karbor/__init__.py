import warnings

# oslo.messaging and oslo.service import eventlet for their optional
# eventlet executors; Karbor uses threads only, so eventlet's notice that it
# is deprecated says nothing about Karbor and would only confuse operators.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
