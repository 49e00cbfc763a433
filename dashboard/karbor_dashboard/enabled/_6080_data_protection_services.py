PANEL = 'data_protection_services'
PANEL_DASHBOARD = 'admin'
PANEL_GROUP = 'data_protection'
ADD_PANEL = 'karbor_dashboard.services.panel.Services'
