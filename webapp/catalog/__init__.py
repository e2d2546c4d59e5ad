"""The catalogue: models, the operations on them (they flush, never commit), text helpers,
the demo catalogue and copying a catalogue between databases."""
