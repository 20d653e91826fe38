"""Python -> khal dialect: the kernel language's types and the AST compiler.

- `types.py`: the language's types (f32, Vec3, Array[T], structs) with host dtypes and IR types.
- `source.py`: a function's AST with file positions and its compile-time names (no xDSL).
- `compiler.py`: the AST visitor (statements, control flow, locals as SSA values).
- `ops.py`: typed arithmetic, casts, vectors and matrices; `builtins.py`: khal.std and Python builtins.
- `values.py`: what an expression evaluates to; `fastops.py`: fast op constructors;
  `context.py`: the xDSL context and a parser for khal IR text.

Only `types.py` and `source.py` may be imported without xDSL.
"""
