"""Qt panes, one module per pane, and the widgets they share."""
