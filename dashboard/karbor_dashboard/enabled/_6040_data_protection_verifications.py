PANEL = 'data_protection_verifications'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'data_protection'
ADD_PANEL = 'karbor_dashboard.verifications.panel.Verifications'
