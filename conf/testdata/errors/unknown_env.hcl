input {
  generator {
    message = env.NOPE  # ERROR: Unsupported attribute: This object does not have an attribute named "NOPE".
  }
}
