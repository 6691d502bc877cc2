pipeline {
  ecs_compatibility = "disable"  # ERROR: Invalid ecs_compatibility "disable": Did you mean "disabled"?
}
