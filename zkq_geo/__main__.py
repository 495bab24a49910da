from zkq_geo.cli import main

raise SystemExit(main())
