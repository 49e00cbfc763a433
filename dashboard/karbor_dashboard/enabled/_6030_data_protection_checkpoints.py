PANEL = 'data_protection_checkpoints'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'data_protection'
ADD_PANEL = 'karbor_dashboard.checkpoints.panel.Checkpoints'
