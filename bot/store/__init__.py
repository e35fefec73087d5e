"""The SQL store: `models` (tables), `db` (engine, migrations, prepare_database), `catalogue`
(the service catalogue file and seeding), `repository` (what the action server reads and
writes), and the front end's stores by concern: `inbox` (with the sent keyboards), `outbox`,
`drafts`, `consent`, `deletion`, `retention`. Import from the module that holds a name; this package
imports nothing, so importing any one of them never pulls in the others."""
