from seqtui.cli.main import main

main()
