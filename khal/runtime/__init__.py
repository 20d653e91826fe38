"""The runtime: backends behind one `Backend` interface, buffers, encoders, passes, timestamps,
`Shader`, `launch`, backend selection and the compile cache.

Modules: `backend` (the interface and everything backend-independent: recording, argument checks,
grids), `cpu` (the CPU backend), `webgpu` (the WebGPU backend, through wgpu-py), `packing` (the
generated argument packer), `shader`, `launch`, `select` (`default_backend`, `available_backends`),
`cache` (the compile cache). Nothing here imports xDSL: compiling goes through
`khal.compiler`, loaded on first use, and a cache hit never imports xDSL.
"""
