/* not shipped: Steward's Swagger page loads swagger-ui-bundle.js */
