from spotify_etl.cli import main

main()
