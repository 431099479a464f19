from upwork_gql.cli import main

main()
