input {
  generator {
    message = env("NOPE")  # ERROR: the environment variable "NOPE" is not set
  }
}
