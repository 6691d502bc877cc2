input {
  generator { message = "%{host} %{[a][b]}" cuont = 1 }  # ERROR: Did you mean "count"?
}
