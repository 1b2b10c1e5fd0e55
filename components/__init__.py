"""One ComponentResource per concern; each deploys data rendered by `content`."""
