from slimlint.entry import main

main()
