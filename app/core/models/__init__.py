"""The models: installed files, the registry, the Hub, downloads, and whether a model fits here."""
