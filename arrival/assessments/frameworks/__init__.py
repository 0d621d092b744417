"""Framework files (YAML) and the JSON Schema of their format; read by `assessments.domain.framework_file`."""
