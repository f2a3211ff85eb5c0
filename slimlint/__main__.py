from slimlint.cli import main

main()
