"""Translation machinery: parameter maps, stream events, framing codecs."""
