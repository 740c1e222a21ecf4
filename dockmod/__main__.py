from dockmod.cli import main

main()
