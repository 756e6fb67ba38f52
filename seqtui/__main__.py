from seqtui.cli import main

main()
