import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '_exts'))

project = 'Karbor'
master_doc = 'index'
# os_api_ref: the api-ref directives (rest_method, rest_parameters, ...);
# karbor_apiref writes their input from the OpenAPI document.
extensions = ['os_api_ref', 'karbor_apiref']
html_theme = 'alabaster'
exclude_patterns = ['api-ref/generated/*', 'api-ref/samples/*']
