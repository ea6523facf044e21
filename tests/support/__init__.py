"""What the tests share besides fixtures: test phones and browsers, and the test settings.

- :mod:`.settings`: the settings every test app starts from;
- :mod:`.phones`: handsets of 2009 on Flask's test client, following links and forms;
- :mod:`.handsets`: handsets as their carrier's gateway presents them (a chosen client
  address, real sockets);
- :mod:`.console`: a PC browser for the operators' console.
"""
