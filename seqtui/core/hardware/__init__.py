"""What trains it: the Keras backend, the devices, precision and the processes of a cluster."""
