"""Backend adapters: one Source per backend kind."""
