package vapstatus

// NewBuiltinSchemas builds what builtinSchemas holds, for its benchmark.
var NewBuiltinSchemas = newBuiltinSchemas
