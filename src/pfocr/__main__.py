from pfocr.cli import main

main()
