input {
  generator {
    message = "${HOME}"  # ERROR: Environment variables are read as env.NAME
  }
}
