console.log("test script");
