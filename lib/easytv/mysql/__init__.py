"""MySQL/MariaDB adapters: the only package that imports pymysql and defusedxml."""
