# Admin > Data Protection, the administrator's panel group.
PANEL_GROUP = 'data_protection'
PANEL_GROUP_NAME = 'Data Protection'
PANEL_GROUP_DASHBOARD = 'admin'
