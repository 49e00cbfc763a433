PANEL = 'data_protection_restores'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'data_protection'
ADD_PANEL = 'karbor_dashboard.restores.panel.Restores'
