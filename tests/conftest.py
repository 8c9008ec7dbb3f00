pytest_plugins = ["tests.conftest_postgres"]
