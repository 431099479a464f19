"""ariadne-codegen plugins used to generate ``upwork_gql._generated`` (build time only)."""
