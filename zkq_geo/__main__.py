from zkq_geo.cli.main import main

raise SystemExit(main())
