"""upwork-gql."""
