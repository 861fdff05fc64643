"""What every AWS provider (Bedrock, SageMaker) shares: the region and credential options, and
SigV4 request signing (``sigv4``, standard library only). Not a provider itself."""
