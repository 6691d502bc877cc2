input {
  stdin {}
}
