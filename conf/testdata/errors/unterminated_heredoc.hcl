input {
  generator {
    message = <<EOT
  %{message}
  }
}
# ERROR: Unterminated template string: No closing marker