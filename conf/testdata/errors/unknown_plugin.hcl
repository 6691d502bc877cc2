input {
  stdin {}
}
output {
  stdot {}  # ERROR: Unknown output plugin "stdot": Did you mean "stdout"? The output plugins are: null, stdout.
}
