# signals
