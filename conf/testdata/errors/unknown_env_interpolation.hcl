input {
  generator {
    message = "user ${env.NOPE} %{host}"  # ERROR: The environment has no such variable
  }
}
