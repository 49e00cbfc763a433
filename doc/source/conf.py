project = 'Karbor'
master_doc = 'index'
extensions = []
html_theme = 'alabaster'
