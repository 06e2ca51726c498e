# Against Debian's nbd-server (it answers INFO with size 0; GO is right).
need_applet nbd-attach && roundtrip "$(uri nbdsrv disk)"
