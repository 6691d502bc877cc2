// A config full of comments with braces { and quotes " in them.
/* block comment } " %{x}
   spanning lines */
input { # { not a brace
  stdin { } // "not a string
  generator { count = 2 /* inline } */ message = "a # not a comment" }
}
output { null { id = "out" } } # trailing
