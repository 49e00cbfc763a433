PANEL = 'data_protection_providers'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'data_protection'
ADD_PANEL = 'karbor_dashboard.providers.panel.Providers'
