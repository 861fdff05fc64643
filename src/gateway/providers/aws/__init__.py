"""Amazon Web Services request signing, shared by Bedrock and SageMaker."""
