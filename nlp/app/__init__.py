"""What people use: the ``nlp`` command, the local web server and shell, rendering."""
