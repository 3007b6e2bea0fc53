"""Platform adapters: translation only, platform update -> Incoming, Reply -> API call."""
