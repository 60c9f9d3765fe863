"""Sessions module: Sender (CPO) and Receiver (eMSP, SCSP) interfaces."""
